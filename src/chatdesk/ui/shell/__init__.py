"""The window around the chat: main window, menus, sidebar, first run, model picker, banner."""
