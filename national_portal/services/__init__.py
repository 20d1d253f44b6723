"""The national portal's services: accounts (the face check a binding needs), licences
(绑定证照, 我的证照, 查看详情, 解除绑定) and the replica (applying replicated changes).
"""
