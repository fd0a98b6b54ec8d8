"""The Textual console.  Nothing here is imported by the domain library or the
headless commands; `trailtui.commands.console` imports `ui.app` lazily."""
