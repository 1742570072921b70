"""Where the user writes: the composer, attachment chips and suggestions."""
