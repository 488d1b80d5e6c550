"""Realistic-looking contact rows for the benchmarks: long-tailed names, unique emails."""

import random

# Names in order of frequency: long_tail() and bench/seed_data.py draw the first ones far
# more often than the last ones.
FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
         "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
         "Charles", "Karen", "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony",
         "Margaret", "Mark", "Sandra", "Ada", "Grace", "Alan", "Edsger", "Donald", "Radia", "Ken",
         "Bjorn", "Joan", "Josephine"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
        "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
        "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
        "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
        "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
        "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Perlman", "Babbage"]
POSITIONS = ["CTO", "CEO", "Engineer", "Accountant", "Office manager", "Sales", ""]


def long_tail(rng: random.Random, items: list[str]) -> str:
    # Zipf-like: the first names are far more common than the last ones.
    index = min(int(rng.paretovariate(1.2)) - 1, len(items) - 1)
    return items[index] if rng.random() < 0.9 else f"{items[rng.randrange(len(items))]}{rng.randrange(1000)}"


def contact_rows(count: int, clients: int, *, seed: int = 7):
    """Dicts with the import's columns; emails are unique."""
    rng = random.Random(seed)
    for index in range(count):
        first, last = long_tail(rng, FIRST), long_tail(rng, LAST)
        yield {
            "first_name": first,
            "last_name": last,
            "email": f"{first}.{last}.{index}@example{index % 97}.com".lower(),
            "client_id": 1 + index % clients,
            "phone": f"+1 ({rng.randrange(200, 999)}) {rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
            "position": POSITIONS[index % len(POSITIONS)],
            "status": "active" if index % 10 else "inactive",
        }
