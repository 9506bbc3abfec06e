"""The service's capabilities, one package each; routes and workers use what each package exports."""
