"""How a page declares who may open it. `AccessPolicyMiddleware` refuses any page without one."""

from intake.access import Perm


def policy(perm: Perm):
    def decorate(view):
        view.access_perm = perm
        return view

    return decorate


def public(view):
    view.access_public = True
    return view
