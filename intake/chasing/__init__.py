"""Chasers: reminders to the LAs with no valid return, on the collection's schedule or on demand.

`schedule` says which days are slots (10:00 on the 3rd and 1st working day before the deadline,
on the deadline day, then each working day after); `states` reads each LA's counting state;
`ladder` picks whom to write to as the return gets later; `letter` writes the email; `run`
queues the chasers of a slot, or the bot's on-demand ones, in the outbox.
"""
