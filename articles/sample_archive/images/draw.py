"""Draws the sample articles' pictures: flat shapes and a label, small PNG files of our own.

Run from the repository root to redraw them (the output is the same every time):
    .venv/bin/python articles/sample_archive/images/draw.py
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FOLDER = Path(__file__).resolve().parent
SIZE = (960, 540)

# name: (topic label, background, accent, motif); the articles show one or two pictures each.
PICTURES = {
    "0219-live": ("LIVE COMMERCE", "#3b1f5c", "#ff6f91", "phone"),
    "0408-model": ("AI ASSISTANT", "#12355b", "#7fdbff", "network"),
    "0621-chip": ("ADVANCED PACKAGING", "#1d3a2f", "#9be564", "chip"),
    "0912-ev": ("EV CHARGING", "#0f3d3e", "#f7d154", "bolt"),
    "1105-home": ("SMART HOME", "#4a2c2a", "#ffb347", "house"),
    "0114-saas": ("SAAS RENEWALS", "#22313f", "#5dade2", "cloud"),
    "0227-edge": ("EDGE INFERENCE", "#2e1a47", "#c39bd3", "chip"),
    "0318-fab": ("CHIP FAB", "#3d3d3d", "#f39c12", "factory"),
    "0509-xborder": ("CROSS-BORDER", "#0b3954", "#bfd7ea", "globe"),
    "0623-robotaxi": ("ROBOTAXI", "#1b1b3a", "#e6c229", "car"),
    "0804-sat": ("SATELLITE", "#0d1b2a", "#e0e1dd", "orbit"),
    "1016-agent": ("AGENT PLATFORM", "#283618", "#dda15e", "network"),
}

ONE_PICTURE = {"1105-home", "0804-sat"}


def phone(draw, accent):
    draw.rounded_rectangle((380, 90, 580, 450), radius=28, outline=accent, width=10)
    draw.polygon([(450, 200), (450, 340), (550, 270)], fill=accent)


def network(draw, accent):
    nodes = [(480 + 170 * math.cos(a / 6 * math.tau), 270 + 150 * math.sin(a / 6 * math.tau)) for a in range(6)]
    for x, y in nodes:
        draw.line((480, 270, x, y), fill=accent, width=6)
    for x, y in [*nodes, (480, 270)]:
        draw.ellipse((x - 26, y - 26, x + 26, y + 26), fill=accent)


def chip(draw, accent):
    draw.rectangle((370, 160, 590, 380), outline=accent, width=10)
    draw.rectangle((420, 210, 540, 330), fill=accent)
    for step in range(5):
        offset = 185 + step * 42
        draw.line((offset + 185, 110, offset + 185, 160), fill=accent, width=8)
        draw.line((offset + 185, 380, offset + 185, 430), fill=accent, width=8)
        draw.line((320, offset, 370, offset), fill=accent, width=8)
        draw.line((590, offset, 640, offset), fill=accent, width=8)


def bolt(draw, accent):
    draw.polygon([(520, 80), (380, 300), (470, 300), (430, 460), (590, 220), (495, 220)], fill=accent)


def house(draw, accent):
    draw.polygon([(480, 100), (320, 250), (640, 250)], fill=accent)
    draw.rectangle((360, 250, 600, 440), outline=accent, width=10)
    draw.rectangle((450, 330, 510, 440), fill=accent)


def cloud(draw, accent):
    for box in ((330, 230, 490, 390), (420, 160, 600, 340), (520, 240, 660, 380)):
        draw.ellipse(box, fill=accent)
    draw.rectangle((410, 310, 590, 390), fill=accent)


def factory(draw, accent):
    draw.rectangle((300, 300, 660, 440), fill=accent)
    draw.polygon([(300, 300), (390, 230), (390, 300), (480, 230), (480, 300), (570, 230), (570, 300)], fill=accent)
    draw.rectangle((590, 130, 630, 300), fill=accent)


def globe(draw, accent):
    draw.ellipse((340, 130, 620, 410), outline=accent, width=10)
    draw.ellipse((420, 130, 540, 410), outline=accent, width=8)
    draw.line((340, 270, 620, 270), fill=accent, width=8)


def car(draw, accent):
    draw.rounded_rectangle((300, 260, 660, 370), radius=30, fill=accent)
    draw.polygon([(380, 260), (430, 180), (560, 180), (610, 260)], fill=accent)
    for x in (380, 580):
        draw.ellipse((x - 40, 330, x + 40, 410), fill="#111111")


def orbit(draw, accent):
    draw.ellipse((280, 190, 680, 350), outline=accent, width=6)
    draw.ellipse((430, 220, 530, 320), fill=accent)
    draw.rectangle((620, 170, 660, 210), fill=accent)
    draw.line((560, 190, 720, 190), fill=accent, width=6)


def bars(draw, accent):
    """The second picture of an article: a chart."""
    for index, height in enumerate((120, 190, 160, 250, 300)):
        left = 290 + index * 80
        draw.rectangle((left, 430 - height, left + 56, 430), fill=accent)
    draw.line((270, 432, 690, 432), fill=accent, width=6)


def draw_picture(label, background, accent, motif, number):
    picture = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, SIZE[1] - 70, SIZE[0], SIZE[1]), fill=accent)
    (bars if number == 2 else globals()[motif])(draw, accent)
    font = ImageFont.load_default(size=30)
    draw.text((30, SIZE[1] - 52), f"NEWSROOM SAMPLE · {label}", fill=background, font=font)
    return picture


def main():
    for name, (label, background, accent, motif) in PICTURES.items():
        for number in (1,) if name in ONE_PICTURE else (1, 2):
            picture = draw_picture(label, background, accent, motif, number)
            # Sixteen colours hold the flat shapes and the label's smoothing: a few kilobytes a file.
            picture.quantize(16).save(FOLDER / f"{name}-{number:02d}.png", optimize=True)


if __name__ == "__main__":
    main()
