"""The monthly cycle of partnersim, one module per stage.

:meth:`partnersim.model.PartnershipModel.step` calls them in this order:

1. :mod:`~partnersim.stages.funding`: budget shocks, grants age, funders decide;
2. :mod:`~partnersim.stages.turnover`: representatives and coordinators leave and are replaced;
3. :mod:`~partnersim.stages.networking`: networking events make new acquaintances;
4. :mod:`~partnersim.stages.meeting`: partnerships meet, pairs interact, trust moves;
5. :mod:`~partnersim.stages.delivery`: hours become output;
6. :mod:`~partnersim.stages.evaluation`: voice, satisfaction, commitment, going on paper or leaving;
7. :mod:`~partnersim.stages.dissolution`: partnerships that cannot go on end;
8. :mod:`~partnersim.stages.formation`: new partnerships form (optional).

Each stage function takes one partnership (or the model, for the
environment) and calls the pure, cited functions of
:mod:`partnersim.mechanisms`.
"""
