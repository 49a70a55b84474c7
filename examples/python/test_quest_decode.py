"""The Quest decode example as a test: steps with kept page bounds give the
outputs computed from K bit for bit, also across a bucket boundary (the
cache grows from 4090 to 4100 keys, past quest's first bucket, 4096)."""
import quest_decode


def test_kept_bounds_give_the_outputs_computed_from_k():
    ms = quest_decode.run(4090, 10)  # raises if any step differs
    assert set(ms) == {"kept", "per call", "sdpa"} and all(t > 0 for t in ms.values())
