"""The workbench tests build on the agreements' and orders' world."""

from dajia.agreements.tests.fixtures import *  # noqa: F403
