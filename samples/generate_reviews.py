#!/usr/bin/env python3
"""Writes a deterministic CSV of product reviews: the shipped sample and the benchmark sheets.

usage: generate_reviews.py ROWS OUT.csv [--seed N] [--long]
--long writes longer reviews (about 230 bytes a row, as in the benchmark's 46 MB / 200,000-row sheet).
Only the standard library, so it runs before any virtualenv exists.
"""
import csv
import random
import sys

PRODUCTS = ["Trail Runner 2", "Aero Kettle", "Desk Lamp Pro", "Noise-Cancel Buds", "Cast Iron Pan 26cm",
            "Yoga Mat Plus", "Smart Plug (2-pack)", "Travel Backpack 35L", "Espresso Grinder", "Kids' Rain Boots"]
OPENERS = ["I bought this for my", "Ordered it as a gift for my", "Replaced my old one and", "After three weeks of use",
           "Honestly,", "Five stars from me:", "Not what I expected;", "Works as described and", "Arrived late but",
           "Compared with the previous model,"]
MIDDLES = ["the build quality is excellent", "it broke after two days", "the battery lasts all week",
           "it is smaller than the photos suggest", "customer service replaced it quickly",
           "the instructions were confusing", "it does exactly what it says", "the colour faded after one wash",
           "it is louder than advertised", "I would buy it again without hesitation"]
CLOSERS = ["Recommended.", "Would not buy again.", "Good value for the price.", "Returned it.",
           "My partner loves it too.", "Packaging could be better.", "Exceeded expectations!", "Meh.",
           "Shipping was fast.", "Check the size chart first."]
TITLES = ["Great", "Disappointed", "Solid choice", "Not bad", "Love it", "Broke quickly", "As described", "Meh",
          "Best purchase this year", "Okay for the price"]
# A few hostile cells so the sample exercises the tricky paths.
HOSTILE = ['She said "wow", then left.', "Line one\nline two", "=SUM(A1:A3) looks like a formula",
           "Template-looking {{title}} and {% if x %} text", "日本語のレビュー：とても良い", "مراجعة باللغة العربية",
           "Emoji 👍🏽🔥", 'Tricky "}]} JSON-ish', "Tab\tinside", "Back\\slash"]


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rows, out = int(sys.argv[1]), sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 7
    long = "--long" in sys.argv
    rng = random.Random(seed)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["review_id", "product", "rating", "title", "review text", "review_date"])
        for i in range(1, rows + 1):
            text = f"{rng.choice(OPENERS)} {rng.choice(MIDDLES)}, and {rng.choice(MIDDLES)}. {rng.choice(CLOSERS)}"
            if long:
                text += f" Also, {rng.choice(MIDDLES)}; {rng.choice(CLOSERS)}"
            if i % 25 == 0:
                text = HOSTILE[(i // 25) % len(HOSTILE)]
            rating = rng.randint(1, 5)
            title = "" if i % 40 == 0 else rng.choice(TITLES)
            writer.writerow([f"R-{i:07d}", rng.choice(PRODUCTS), rating, title, text,
                             f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"])


if __name__ == "__main__":
    main()
