"""spinwheel: a tiny example package."""

__all__ = ["spin", "main"]


def spin(times: int = 1) -> str:
    """Return the word 'spin' repeated `times` times."""
    return " ".join(["spin"] * times)


def main() -> None:
    print(spin(3))
