"""Tests of the board protocol, its boards and the link to them."""
