"""The Wrapped card: its geometry (card_layout.py), its parts placed in pixels (card_parts.py), its painter."""
