def goal_tree(request):
    pass
