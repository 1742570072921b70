"""Qt test setup for the widget tests: the fixtures of ``qtapp`` (a qasync loop over the test's
QApplication, the started app, an in-memory keyring).

Never call ``qtbot.waitSignal`` inside a coroutine (a nested loop re-enters tasks): await an
``asyncio.Event`` set from the signal instead (``qtapp.SignalWaiter``).
"""

from qtapp import (  # noqa: F401  (fixtures and the loop hook)
    app_env,
    asyncgen_hooks,
    delete_widgets_before_exit,
    launch,
    main_thread_gc,
    main_thread_gc_session,
    memory_keyring,
    pytest_asyncio_loop_factories,
    running_app,
)
