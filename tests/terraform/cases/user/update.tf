# Step 2: tf-app changed in place: ModifyUser with only the new AccessString (the provider
# then waits for the user to leave "modifying"), and its tags replaced (Team changed, Env
# removed, Owner added). tf-open is unchanged. "on ~* +@all" is also stored verbatim by AWS.
resource "aws_elasticache_user" "app" {
  user_id       = "tf-app"
  user_name     = "app"
  access_string = "on ~* +@all"
  engine        = "REDIS"

  authentication_mode {
    type      = "password"
    passwords = ["keyfleet-terraform-pw-0001"]
  }

  tags = {
    Team  = "platform"
    Owner = "keyfleet"
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
