//! Chapter 4, TCP: the exercise.
