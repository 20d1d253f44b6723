"""The ministry portal's services: accounts (registration's 实人认证 step, the 我的证照 check),
licences (我的证照, 预览, 下载) and the public verification of a licence or its file.
"""
