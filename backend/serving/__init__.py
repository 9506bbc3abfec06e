"""How the service is served: the development server's handler and gunicorn's worker class."""
