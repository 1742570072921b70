"""Voice dictation: its controller, the mic button and the microphone source."""
