"""hostup-sim."""
