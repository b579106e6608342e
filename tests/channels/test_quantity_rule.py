"""The quantity a channel is sent: 0 if free − safety < floor, else min(cap, ⌊(free − safety) × share⌋)."""
import pytest

from app.channels.services import (
    ChannelStockRules,
    ListingValues,
    next_file,
    quantity_to_send,
    save_channel_rules,
    save_listing,
)
from app.extensions import db


RULES = [
    # the defaults send exactly the free stock
    (10, 0, 100, None, 0, 10),
    (0, 0, 100, None, 0, 0),
    (1, 0, 100, None, 0, 1),
    # safety stock is kept back
    (10, 3, 100, None, 0, 7),
    (3, 3, 100, None, 0, 0),
    (2, 3, 100, None, 0, 0),
    # the share is rounded down
    (10, 0, 50, None, 0, 5),
    (9, 0, 50, None, 0, 4),
    (1, 0, 50, None, 0, 0),
    (10, 2, 30, None, 0, 2),
    (10, 0, 0, None, 0, 0),
    # the cap is the most a channel is shown
    (100, 0, 100, 20, 0, 20),
    (10, 0, 100, 20, 0, 10),
    (100, 10, 50, 40, 0, 40),
    (100, 0, 100, 0, 0, 0),
    # below the floor 0 is sent; at the floor, the rule applies
    (4, 0, 100, None, 5, 0),
    (5, 0, 100, None, 5, 5),
    (8, 3, 100, None, 5, 5),
    (7, 3, 100, None, 5, 0),
    (6, 0, 50, None, 5, 3),
    (50, 0, 100, 10, 5, 10),
]


@pytest.mark.parametrize(('free', 'safety', 'share', 'cap', 'floor', 'sent'), RULES)
def test_the_quantity_rule(free, safety, share, cap, floor, sent):
    assert quantity_to_send(free, safety_stock=safety, share_percent=share, cap=cap, floor=floor) == sent


def test_the_next_file_applies_the_same_rule_from_the_listing_or_the_channel(make_product, stock):
    """Each case once as the listing's own rule (Rakuten) and once as the channel's (a Yahoo! listing each)."""
    for n, (free, safety, share, cap, floor, _sent) in enumerate(RULES):
        product = make_product(f'Q-{n:02d}')
        if free:
            stock(product, free)
        save_listing(ListingValues('rakuten', f'q-{n:02d}', f'Q-{n:02d}', safety_stock=safety, share_percent=share,
                                   cap=cap, floor=floor), actor=None)
    db.session.commit()
    assert [line.quantity for line in next_file('rakuten').lines] == [sent for *_rule, sent in RULES]
    save_listing(ListingValues('yahoo', 'q', 'Q-00'), actor=None)
    for n, (_free, safety, share, cap, floor, sent) in enumerate(RULES):
        save_listing(ListingValues('yahoo', 'q', f'Q-{n:02d}'), actor=None)
        save_channel_rules('yahoo', ChannelStockRules(safety_stock=safety, share_percent=share, cap=cap, floor=floor),
                           actor=None)
        assert [line.quantity for line in next_file('yahoo', full=True).lines] == [sent], RULES[n]
