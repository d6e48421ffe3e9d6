"""What the party side's forms read from the dues ledger, which sits above party (and beside
transfers): filled by the dues app (``liangxin.core.hooks``).

The organization-relation letter says "党费已交到…年…月"; the floating member's card carries the
same fact. Without the dues app the slot answers None and the form leaves the blank to be
written by hand.
"""

from liangxin.core.hooks import Slot

# (member) → the first day of the last month up to which every month the member owed on this
# platform is paid, or None when the ledger cannot say (nothing recorded, or the first month unpaid)
paid_through = Slot("党费交至月份", default=lambda member: None)
