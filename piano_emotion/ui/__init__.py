"""The Reflex user interface: state, pages, components and translations."""
