from dajia.agreements.tests.fixtures import *  # noqa: F403
