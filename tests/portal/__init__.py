"""The simulated government portal used by the tests and the demo: pages as real portals serve them."""
