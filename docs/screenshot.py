"""Take the README screenshot: the real app on a (virtual) screen, a real streamed answer.

Run under Xvfb: ``make screenshot`` (or ``xvfb-run -s "-screen 0 1280x860x24" .venv/bin/python
docs/screenshot.py out.png``). The app talks to the fake OpenRouter from the tests, in a fresh
temporary data dir, so nothing of yours is shown.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from chatdesk.app.root import ChatdeskApp  # noqa: E402
from fakes.openrouter import FakeOpenRouter, Reply  # noqa: E402

QUESTION = "How do I read a large CSV file in Python without running out of memory?"
ANSWER = """Read it in **chunks** instead of loading it all at once. Three good options:

1. **`csv` module** — streams one row at a time, no dependencies.
2. **pandas with `chunksize`** — DataFrames of a fixed number of rows.
3. **Polars lazy scan** — only the columns and rows you ask for.

```python
import pandas as pd

total = 0
for chunk in pd.read_csv("sales.csv", chunksize=100_000):
    total += chunk["amount"].sum()
print(f"Total: {total:,.2f}")
```

| Approach | Memory | Speed |
| --- | --- | --- |
| `csv.reader` | constant | moderate |
| pandas chunks | per chunk | fast |
| Polars `scan_csv` | minimal | fastest |

Pick *pandas chunks* if you already use pandas; otherwise the `csv` module is enough.
"""
REASONING = "The user wants memory-efficient CSV reading. Mention streaming and chunking."


async def shoot(qapp: QApplication, out: Path, theme: str) -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeOpenRouter() as fake:
        data = Path(tmp)
        (data / "settings.json").write_text(f'{{"theme": "{theme}", "generate_titles": true}}')
        os.environ["OPENROUTER_BASE_URL"] = fake.base_url
        os.environ["OPENROUTER_API_KEY"] = "sk-or-v1-screenshot"
        os.environ["OPENROUTER_DEFAULT_MODEL"] = "openai/gpt-4o-mini"
        app = ChatdeskApp(qapp, data)
        await app.start()
        assert app.window is not None and app.controller is not None
        window = app.window
        window.resize(1240, 820)
        repo = app.repository
        assert repo is not None
        for title in ("Trip to Lisbon in May", "Rust lifetimes, explained", "Sourdough schedule"):
            conv = await repo.create_conversation(title)
            await repo.append_message(conv.id, "user", title)
        await app.controller.reload_conversations()
        fake.enqueue(
            Reply.stream(ANSWER, reasoning=REASONING, chunk_size=12),
            Reply.completion("Reading large CSV files"),
        )
        done = asyncio.Event()
        app.controller.titleChanged.connect(lambda *_: done.set())
        QTest.keyClicks(window.composer.edit, QUESTION)
        QTest.keyClick(window.composer.edit, Qt.Key.Key_Return)
        await asyncio.wait_for(done.wait(), 20)
        await app.runner.wait_idle()
        QTest.keyClicks(window.composer.edit, "And with Polars?")
        for _ in range(20):  # let the layout settle before the grab
            await asyncio.sleep(0.02)
        screen = qapp.primaryScreen()
        pixmap = screen.grabWindow(0) if os.environ.get("DISPLAY") else window.grab()
        pixmap = pixmap.copy(window.frameGeometry())
        pixmap.save(str(out))
        print(f"saved {out} ({pixmap.width()}x{pixmap.height()})")
        await app.shutdown()


def main() -> int:
    import qasync

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png")
    theme = sys.argv[2] if len(sys.argv) > 2 else "light"
    qapp = QApplication(sys.argv[:1])
    qapp.setStyle("Fusion")
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(qapp, out, theme))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
