"""The classroom app: partnership dynamics live in the browser, on Mesa's SolaraViz.

- :mod:`partnersim.app.controls`: controls generated from the parameter schema;
- :mod:`partnersim.app.network`: the network view (portrayal, layout, SVG);
- :mod:`partnersim.app.charts`: the live plots;
- :mod:`partnersim.app.events`: the event log in plain words;
- :mod:`partnersim.app.classroom`: the model as the app runs it, and one frame of the view;
- :mod:`partnersim.app.page`: the Solara page (``solara run partnersim.app.page``).

Lessons live in :mod:`partnersim.lessons`. Start the app with ``partnersim app``.
The plain-Python modules import neither Solara nor Mesa's visualisation, so they
are cheap to test.
"""
