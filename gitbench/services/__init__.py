"""One module per capability. Each public function takes a Workbench and returns data."""
