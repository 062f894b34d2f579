# Step 1: a user group and its users. AWS requires every group to hold a user whose user
# name is "default"; tf-default is that user (the built-in user "default" cannot be
# changed, so real configurations bring their own). The group is created with tf-default
# and tf-app (CreateUserGroup, then the provider waits for "active": a fixed 30 s delay
# before its first poll), and the association adds tf-reader (ModifyUserGroup with
# UserIdsToAdd, then another 30 s wait).
#
# The group ignores changes to user_ids, as the provider docs recommend with associations:
# DescribeUserGroups lists every member, including those added by associations, so without
# it the group would want to remove tf-reader on every plan.
resource "aws_elasticache_user" "default" {
  user_id       = "tf-default"
  user_name     = "default"
  access_string = "on ~* +@all"
  engine        = "REDIS"

  authentication_mode {
    type      = "password"
    passwords = ["keyfleet-terraform-pw-0002"]
  }
}

resource "aws_elasticache_user" "app" {
  user_id       = "tf-app"
  user_name     = "app"
  access_string = "on ~app::* -@all +@read +@hash +@bitmap +@geo -setbit -bitfield -hset -hsetnx -hmset -hincrby -hincrbyfloat -hdel -bitop -geoadd -georadius -georadiusbymember"
  engine        = "REDIS"

  authentication_mode {
    type      = "password"
    passwords = ["keyfleet-terraform-pw-0003"]
  }
}

resource "aws_elasticache_user" "reader" {
  user_id              = "tf-reader"
  user_name            = "reader"
  access_string        = "on ~* +@all"
  engine               = "REDIS"
  no_password_required = true
}

resource "aws_elasticache_user_group" "this" {
  user_group_id = "tf-group"
  engine        = "REDIS"
  user_ids      = [aws_elasticache_user.default.user_id, aws_elasticache_user.app.user_id]

  tags = {
    Team = "cache"
    Env  = "test"
  }

  lifecycle {
    ignore_changes = [user_ids]
  }
}

resource "aws_elasticache_user_group_association" "extra" {
  user_group_id = aws_elasticache_user_group.this.user_group_id
  user_id       = aws_elasticache_user.reader.user_id
}

output "group_arn" {
  value = aws_elasticache_user_group.this.arn
}

output "association_id" {
  value = aws_elasticache_user_group_association.extra.id
}
