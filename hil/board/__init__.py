"""The serial board behind the hardware port: its wire protocol, the link that speaks it, and the
hardware port that puts a board's wheels together with the simulated world around them."""
