"""The Apply engine: run states, the steps a worker takes, and the worker process."""
