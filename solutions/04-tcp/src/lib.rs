//! Chapter 4, TCP: the model answer.
