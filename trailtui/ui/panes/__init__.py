"""Panes of the console that other parts of trailtui contribute (health,
integrity).  The app imports each one lazily and shows a placeholder when a
pane is not in this build."""
