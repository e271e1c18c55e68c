"""Grid management (网格化): grids, grid workers, their events and door-side visit tasks."""
