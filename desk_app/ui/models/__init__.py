"""Qt item models over the plain-Python page sources of `desk_app.domain.listing`."""
