"""The composition root: the only package that knows every concrete class (entry in ``main``)."""
