"""Flask API that turns a Spotify data export into charts and bar-chart-race videos."""
