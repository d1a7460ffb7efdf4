"""The impure side of routing: snapshots, applying decisions, moves, periodic tasks, auto-replies."""
