"""``python -m bench [--quick] [--only NAME] [--runs N]``: run the benchmarks, print and record their figures."""
import argparse

from bench import allocation, channel_stock, floor, order_import, order_list, reports, shop, station_feedback, stocktake


BENCHMARKS = {'order_import': order_import.main}
BENCHMARKS.update({'allocation': allocation.main, 'order_list': order_list.main, 'reports': reports.main})
BENCHMARKS.update({'shop': shop.main, 'floor': floor.main, 'station_feedback': station_feedback.main})
BENCHMARKS.update({'stocktake': stocktake.main, 'channel_stock': channel_stock.main})


def main() -> None:
    parser = argparse.ArgumentParser(prog='python -m bench', description=__doc__)
    parser.add_argument('--quick', action='store_true',
                        help='a small input, for a smoke run; docs/benchmarks.md is left alone')
    parser.add_argument('--only', choices=sorted(BENCHMARKS), action='append', help='run only this benchmark')
    parser.add_argument('--runs', type=int, default=3, help='runs per measurement; the median is reported')
    args = parser.parse_args()
    if args.runs < 1:
        parser.error('--runs must be at least 1')
    for name in args.only or BENCHMARKS:
        BENCHMARKS[name](runs=args.runs, quick=args.quick)


if __name__ == '__main__':
    main()
