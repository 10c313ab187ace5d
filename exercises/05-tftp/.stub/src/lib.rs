//! Chapter 5, TFTP: the exercise.
