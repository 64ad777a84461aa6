"""Running experiments: target loading, argument replay, scheduling, results."""
