"""What people paste: mail programs' messages at full length, with their wrappers, and servers' replies.

The wrappers are the programs' own sentence frames (Outlook's task error line, Thunderbird's
dialog, the iPhone's alert title and body, ...); the server replies inside them are the
providers' real wording (the same texts as the [[rejection]] entries of
src/maildoctor/data/replies.toml and the providers' help pages). The account names and hosts are
example names; the IP addresses are documentation addresses.
"""

from __future__ import annotations

from typing import Final

ACCOUNT: Final = "taro@example.co.jp"

# --------------------------------------------------------------------------- Outlook (classic)


def outlook_ja(code: str, message: str, *, sending: bool = False, account: str = ACCOUNT) -> str:
    """Outlook's send/receive error line, as the Japanese Outlook shows it (and people copy it)."""
    task = "送信中" if sending else "受信中"
    return f"タスク '{account} - {task}' がエラー ({code}) を報告しました: '{message}'"


def outlook_en(code: str, message: str, *, sending: bool = False, account: str = "taro@example.com") -> str:
    task = "Sending" if sending else "Receiving"
    return f"Task '{account} - {task}' reported error ({code}) : '{message}'"


ISP_JA: Final = (
    "問題が解決しない場合は、サーバー管理者またはインターネット サービス プロバイダー (ISP) に"
    "問い合わせてください。"
)
ISP_EN: Final = (
    "If you continue to receive this message, contact your server administrator or Internet service "
    "provider (ISP)."
)

OUTLOOK_0E_JA: Final = outlook_ja("0x800CCC0E", "サーバーに接続できませんでした。" + ISP_JA)
OUTLOOK_0F_JA: Final = outlook_ja("0x800CCC0F", "サーバーへの接続が中断されました。" + ISP_JA)
OUTLOOK_0F_SEND_JA: Final = outlook_ja(
    "0x800CCC0F", "サーバーへの接続が中断されました。" + ISP_JA, sending=True
)
OUTLOOK_0D_JA: Final = outlook_ja(
    "0x800CCC0D",
    "サーバー 'pop.example.co.jp' が見つかりません。アカウントのプロパティでサーバー名を確認してください。"
    + ISP_JA,
)
OUTLOOK_13_JA: Final = outlook_ja(
    "0x800CCC13",
    "ネットワークに接続できません。ネットワーク接続またはモデムを確認してください。",
    sending=True,
)
OUTLOOK_1A_JA: Final = outlook_ja(
    "0x800CCC1A",
    "指定された接続の暗号化の種類は、サーバーでサポートされていません。"
    "別の暗号化方法に変更してください。" + ISP_JA,
)
OUTLOOK_19_JA: Final = outlook_ja(
    "0x800CCC19",
    "サーバーからの応答を待機中に操作がタイムアウトになりました。" + ISP_JA,
)
OUTLOOK_78_JA: Final = outlook_ja(
    "0x800CCC78",
    "メッセージを送信できません。アカウントのプロパティで電子メール アドレスを確認してください。  "
    "サーバーの応答: 553 5.7.1 <taro@example.co.jp>: Sender address rejected: not owned by user "
    "hanako@example.co.jp",
    sending=True,
)
OUTLOOK_78_AUTH_JA: Final = outlook_ja(
    "0x800CCC78",
    "メッセージを送信できません。アカウントのプロパティで電子メール アドレスを確認してください。  "
    "サーバーの応答: 530 5.7.0 Authentication required",
    sending=True,
)
OUTLOOK_79_JA: Final = outlook_ja(
    "0x800CCC79",
    "1 人以上の受信者がサーバーによって拒否されました。  サーバーの応答: 554 5.7.1 "
    "<hanako@example.org>: Relay access denied",
    sending=True,
)
OUTLOOK_90_JA: Final = outlook_ja(
    "0x800CCC90",
    "受信 (POP3) メール サーバーから内部エラーが報告されました。"
    + ISP_JA
    + "  サーバーの応答: -ERR [SYS/TEMP] Server too busy, try again later",
)
OUTLOOK_92_JA: Final = outlook_ja(
    "0x800CCC92",
    "電子メール サーバーによってログオンが拒否されました。アカウント設定で、このアカウントのユーザー名と"
    "パスワードを確認してください。  サーバーの応答: -ERR [AUTH] Authentication failed.",
)
OUTLOOK_92_BARE_JA: Final = outlook_ja(
    "0x800CCC92",
    "電子メール サーバーによってログオンが拒否されました。アカウント設定で、このアカウントのユーザー名と"
    "パスワードを確認してください。",
)
OUTLOOK_2109_JA: Final = outlook_ja(
    "0x80042109", "送信 (SMTP) 電子メール サーバーに接続できません。" + ISP_JA, sending=True
)
OUTLOOK_210B_JA: Final = outlook_ja(
    "0x8004210B",
    "送信 (SMTP) サーバーからの応答を待機中に操作がタイムアウトになりました。" + ISP_JA,
    sending=True,
)
OUTLOOK_210A_JA: Final = outlook_ja(
    "0x8004210A", "受信 (POP3) サーバーからの応答を待機中に操作がタイムアウトになりました。" + ISP_JA
)

OUTLOOK_0E_EN: Final = outlook_en("0x800CCC0E", "Cannot connect to the server. " + ISP_EN)
OUTLOOK_0F_EN: Final = outlook_en(
    "0x800CCC0F",
    "The connection to the server was interrupted. If this problem continues, contact your server "
    "administrator or Internet service provider (ISP).",
)
OUTLOOK_92_EN: Final = outlook_en(
    "0x800CCC92",
    "Your e-mail server rejected your login. Verify your user name and password for this account in "
    "Account Settings.  The server responded: -ERR authorization failed  Check your server settings.",
)
OUTLOOK_90_EN: Final = outlook_en(
    "0x800CCC90",
    "Your incoming (POP3) e-mail server has reported an internal error. "
    + ISP_EN
    + "  The server responded: -ERR [IN-USE] Mailbox locked by another session",
)
OUTLOOK_78_EN: Final = outlook_en(
    "0x800CCC78",
    "Unable to send the message. Please verify the e-mail address in your account properties.  "
    "The server responded: 530 5.7.0 Authentication required",
    sending=True,
)
OUTLOOK_2109_EN: Final = outlook_en(
    "0x80042109",
    "Outlook is unable to connect to your outgoing (SMTP) e-mail server. " + ISP_EN,
    sending=True,
)

# --------------------------------------------------------------------------- server replies inside wrappers

SPAMHAUS_REPLY: Final = (
    "554 5.7.1 Service unavailable; Client host [203.0.113.25] blocked using zen.spamhaus.org; "
    "https://www.spamhaus.org/query/ip/203.0.113.25"
)
SPAMHAUS_MS_REPLY: Final = (
    "550 5.7.1 Service unavailable, Client host [203.0.113.25] blocked using Spamhaus. To request "
    "removal from this list see https://www.spamhaus.org/query/ip/203.0.113.25 (AS3130). "
    "[TY1PEPF0000A1B2.JPNP286.PROD.OUTLOOK.COM 2026-12-01T09:12:44.123Z 08DD2F5A1B2C3D4E]"
)
BASIC_AUTH_REPLY: Final = (
    "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
    "[TYCP286CA0012.JPNP286.PROD.OUTLOOK.COM 2026-12-01T09:12:44.123Z 08DD2F5A1B2C3D4E]"
)
TENANT_AUTH_REPLY: Final = (
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
    "Visit https://aka.ms/smtp_auth_disabled for more information. "
    "[OS3P286CA0021.JPNP286.PROD.OUTLOOK.COM 2026-12-01T09:12:44.123Z 08DD2F5A1B2C3D4E]"
)
CLIENT_SUBMISSION_REPLY: Final = (
    "550 5.7.30 Basic authentication is not supported for Client Submission. "
    "[TYWP286CA0033.JPNP286.PROD.OUTLOOK.COM 2026-12-01T09:12:44.123Z 08DD2F5A1B2C3D4E]"
)
GMAIL_APP_PASSWORD_REPLY: Final = (
    "534-5.7.9 Application-specific password required. For more information, go to\n"
    "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor "
    "d9443c01a7336-2a1b3c4d5e6f7sm12345678b3c.12 - gsmtp"
)
GMAIL_BAD_CREDENTIALS_REPLY: Final = (
    "535-5.7.8 Username and Password not accepted. For more information, go to\n"
    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials "
    "d9443c01a7336-2a1b3c4d5e6f7sm12345678b3c.12 - gsmtp"
)
GMAIL_DMARC_REPLY: Final = (
    "550-5.7.26 Unauthenticated email from example.co.jp is not accepted due to domain's\n"
    "550-5.7.26 DMARC policy. Please contact the administrator of example.co.jp domain if\n"
    "550-5.7.26 this was a legitimate mail. To learn about the DMARC initiative, go to\n"
    "550 5.7.26  https://support.google.com/mail/?p=DmarcRejection "
    "d9443c01a7336-2a1b3c4d5e6f7si12345678b3c.12 - gsmtp"
)
IMAP_AUTHFAILED: Final = "A0001 NO [AUTHENTICATIONFAILED] Authentication failed."
IMAP_GMAIL_INVALID: Final = "A0001 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"
IMAP_BASIC_DISABLED: Final = "A0001 NO Basic authentication is disabled"
POP_AUTH_FAILED: Final = "-ERR [AUTH] Authentication failed."
RELAY_DENIED: Final = "554 5.7.1 <hanako@example.org>: Relay access denied"
USER_UNKNOWN: Final = (
    "550 5.1.1 <hanako@example.org>: Recipient address rejected: User unknown in virtual mailbox table"
)
MAILBOX_FULL_REPLY: Final = "552 5.2.2 <hanako@example.org>: Mailbox full: user is over quota"
DAILY_LIMIT_REPLY: Final = "550 5.4.5 Daily user sending limit exceeded. For more information, go to"
MS_BANNED_IP_REPLY: Final = (
    "550 5.7.606 Access denied, banned sending IP [203.0.113.25]. To request removal from this list "
    "please visit https://sender.office.com/ and follow the directions. For more information please go "
    "to http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430)"
)
STARTTLS_FIRST_REPLY: Final = "530 5.7.0 Must issue a STARTTLS command first"


def thunderbird_send_en(reply: str, *, recipient: str = "hanako@example.org") -> str:
    return (
        "Sending of the message failed.\n"
        f"An error occurred while sending mail. The mail server responded: {reply}. "
        f'Please check the message recipient "{recipient}" and try again.'
    )


def thunderbird_said_en(reply: str) -> str:
    return (
        "Send Message Error\nSending of the message failed.\n"
        "The message could not be sent using Outgoing server (SMTP) smtp.office365.com for an unknown "
        f"reason. Please verify that your Outgoing server (SMTP) settings are correct and try again.\n"
        f"The mail server said: {reply}"
    )


def thunderbird_send_ja(reply: str) -> str:
    return (
        "メッセージの送信エラー\nメッセージの送信に失敗しました。\n"
        f"メール送信中にエラーが発生しました。メールサーバーの応答: {reply}。"
        "受信者を確認してもう一度送信してください。"
    )


def outlook_reply_ja(reply: str) -> str:
    return outlook_ja(
        "0x800CCC78",
        "メッセージを送信できません。アカウントのプロパティで電子メール アドレスを確認してください。  "
        f"サーバーの応答: {reply}",
        sending=True,
    )


def outlook_new_ja(reply: str) -> str:
    return (
        "メッセージを送信できませんでした\n"
        "このメッセージは送信されませんでした。メールサーバーから次のエラーが返されました: "
        f"{reply}"
    )


# --------------------------------------------------------------------------- Thunderbird

TB_AUTH_JA: Final = (
    "送信 (SMTP) サーバー smtp.example.co.jp での認証ができませんでした。パスワードを確認し、"
    "[アカウント設定 | 送信 (SMTP) サーバー] の [認証方式] を確認してください。"
)
TB_UNKNOWN_SERVER_JA: Final = (
    "メール送信中にエラーが発生しました: 送信 (SMTP) サーバー smtp.exmaple.co.jp が不明です。"
    "サーバーの設定が正しくない可能性があります。送信 (SMTP) サーバーの設定が正しいか確認してから"
    "もう一度送信してください。"
)
TB_TIMEOUT_JA: Final = "サーバー imap.example.co.jp への接続がタイムアウトしました。"
TB_REFUSED_JA: Final = "メールサーバー imap.example.co.jp に接続できませんでした。接続が拒否されました。"
TB_LOGIN_FAILED_JA: Final = (
    "ログインに失敗しました\nimap.example.co.jp 上のアカウント taro@example.co.jp へのログインに"
    "失敗しました。パスワードを再入力するか、新しいパスワードを入力するか、キャンセルしてください。"
)
TB_POP_PASSWORD_JA: Final = (
    "ユーザー taro のパスワードの送信に失敗しました。\nメールサーバー pop.example.co.jp の応答: "
    + POP_AUTH_FAILED
)
TB_LOGIN_FAILED_EN: Final = (
    "Login Failed\nLogin to server imap.example.com with username taro@example.com failed. "
    "Please retry, enter a new password or cancel."
)
TB_TIMEOUT_EN: Final = (
    "Sending of the message failed.\nThe message could not be sent because the connection to Outgoing "
    "server (SMTP) smtp.example.com timed out. Try again."
)
TB_CERT_EN: Final = (
    "Add Security Exception\nYou are about to override how Thunderbird identifies this site.\n"
    "Certificate Status\nThis site attempts to identify itself with invalid information.\n"
    "Wrong Site\nThe certificate belongs to a different site, which could mean that someone is trying "
    "to impersonate this site."
)

# --------------------------------------------------------------------------- iPhone / iPad Mail

IPHONE_PASSWORD_JA: Final = (
    'メールを取得できません\n"imap.example.jp"のユーザ名またはパスワードが間違っています。'
)
IPHONE_IMAP_PASSWORD_JA: Final = "IMAPアカウント“taro@example.co.jp”のパスワードが正しくありません。"
IPHONE_IDENTITY_JA: Final = (
    'サーバの識別情報を検証できません\n"mail.example.co.jp"の識別情報をメールで検証できません。\n'
    "キャンセル　詳細　続ける"
)
IPHONE_SEND_JA: Final = 'メールを送信できません\n送信用サーバ"smtp.example.co.jp"への接続に失敗しました。'
IPHONE_NOT_RESPONDING_JA: Final = (
    'メールを取得できません\nメールサーバ"imap.example.co.jp"が応答していません。'
)
IPHONE_REJECTED_JA: Final = (
    'メールを送信できません\n受信者"hanako@example.org"はサーバによって拒否されました。\nOK'
)
IPHONE_PASSWORD_EN: Final = 'Cannot Get Mail\nThe user name or password for "imap.gmail.com" is incorrect.'
IPHONE_IDENTITY_EN: Final = (
    'Cannot Verify Server Identity\nThe identity of "mail.example.com" cannot be verified by Mail.\n'
    "Cancel  Details  Continue"
)
IPHONE_SEND_EN: Final = 'Cannot Send Mail\nThe connection to the outgoing server "smtp.example.com" failed.'

# --------------------------------------------------------------------------- Android: Gmail, Samsung Email

GMAIL_APP_JA: Final = "ユーザー名かパスワードが間違っています"
GMAIL_APP_SIGNIN_JA: Final = "ログインできませんでした\nユーザー名またはパスワードが正しくありません"
GMAIL_APP_EN: Final = "Couldn't sign in\nUsername or password is incorrect"
GENERIC_CANT_CONNECT_JA: Final = "サーバーに接続できません"
SAMSUNG_SECURE_JA: Final = "サーバーへの安全な接続を確立できません"
SAMSUNG_AUTH_JA: Final = "認証に失敗しました。\nユーザー名とパスワードを確認してください。"
ANDROID_LOGIN_EN: Final = "Your login to taro@example.com failed; the server said: " + IMAP_AUTHFAILED
ANDROID_SECURITY_EN: Final = "Couldn't open connection to server due to security error."

# --------------------------------------------------------------------------- Windows Mail, new Outlook

WINDOWS_MAIL_JA: Final = (
    "アカウントの設定が最新ではありません\nexample.co.jp アカウントの設定が最新ではありません。"
    "[アカウントの修正] を選んでください。"
)
WINDOWS_MAIL_EN: Final = (
    "Something went wrong. We're sorry, but we weren't able to do that.\nError code: 0x8019019a"
)
OUTLOOK_NEW_SYNC_JA: Final = (
    "アカウントを同期できません\nimap.example.co.jp に接続できませんでした。サーバー設定を確認してから、"
    "もう一度お試しください。"
)

# --------------------------------------------------------------------------- Japanese carriers' mail apps

DOCOMO_APP_JA: Final = (
    "ドコモメール\n通信エラーが発生しました。電波状態の良い場所で再度お試しください。(エラーコード: E-1010)"
)
AU_APP_JA: Final = (
    "auメール\nメールの受信に失敗しました。しばらく時間をおいてから再度お試しください。[エラー: 9000]"
)
SOFTBANK_APP_JA: Final = (
    "+メッセージ\nサーバーに接続できませんでした。ネットワークの設定を確認してください。(E0302)"
)
RAKUTEN_APP_JA: Final = "Rakuten Link\nメールの送信に失敗しました。時間をおいて再度お試しください。"
