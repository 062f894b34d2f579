# Step 1: two users. The provider sends Engine as configured ("REDIS"); AWS stores and
# returns "redis" and the provider's diff on engine is case-insensitive.
#
# tf-app authenticates with a password (authentication_mode type "password"). Its access
# string is the expanded form AWS itself stores for "on ~app::* -@all +@read" (AWS expands
# categories on store, so only an already-expanded string reads back verbatim; this is the
# provider's own acceptance-test string).
#
# tf-open needs no password. It uses no_password_required, not authentication_mode
# { type = "no-password-required" }: that input type reads back as Authentication.Type
# "no-password" (AWS's output enum is password | no-password | iam) and the provider
# copies it into authentication_mode.type, so the plan after apply would always want to
# change "no-password" -> "no-password-required", against AWS as much as against keyfleet.
# With no_password_required the computed authentication_mode block simply reads back as
# { type = "no-password", password_count = 0 }.
resource "aws_elasticache_user" "app" {
  user_id       = "tf-app"
  user_name     = "app"
  access_string = "on ~app::* -@all +@read +@hash +@bitmap +@geo -setbit -bitfield -hset -hsetnx -hmset -hincrby -hincrbyfloat -hdel -bitop -geoadd -georadius -georadiusbymember"
  engine        = "REDIS"

  authentication_mode {
    type      = "password"
    passwords = ["keyfleet-terraform-pw-0001"]
  }

  tags = {
    Team = "cache"
    Env  = "test"
  }
}

resource "aws_elasticache_user" "open" {
  user_id              = "tf-open"
  user_name            = "open"
  access_string        = "on ~* +@all"
  engine               = "REDIS"
  no_password_required = true
}

output "app_arn" {
  value = aws_elasticache_user.app.arn
}

output "app_auth" {
  value = "${aws_elasticache_user.app.authentication_mode[0].type}/${aws_elasticache_user.app.authentication_mode[0].password_count}"
}

output "open_arn" {
  value = aws_elasticache_user.open.arn
}

output "open_auth" {
  value = "${aws_elasticache_user.open.authentication_mode[0].type}/${aws_elasticache_user.open.authentication_mode[0].password_count}"
}
