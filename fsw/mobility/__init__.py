"""Mobility: the wheel table, six-wheel kinematics, odometry and the drive controller."""
