"""The bar-chart race: its plan (rows, timeline, motion), its painter, and frames painted in the encoder's planes."""
