#!/usr/bin/env python
from dailypapers.cli import main

if __name__ == "__main__":
    main()
