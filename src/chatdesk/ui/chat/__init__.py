"""The conversation: its controller, the view, message widgets, tool and error cards."""
