"""The still top-N chart: its painter, the page geometry and type scale it shares with the race, and bars."""
