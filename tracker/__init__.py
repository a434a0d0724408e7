"""The core of repaybot: money, lending arithmetic, the ledger, storage and the planner.

Nothing in this package imports ``telegram``: the bot, the jobs and the command line are
thin layers on top of it.
"""
