import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=1)
epochs = parser.parse_args().epochs
for epoch in range(1, epochs + 1):
    print(f"epoch {epoch}/{epochs}: loss {1.0 / epoch:.3f}")
