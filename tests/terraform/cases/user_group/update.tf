# Step 2: membership changed through the association: its user_id moves from tf-reader to
# the new tf-writer, which replaces it (ModifyUserGroup UserIdsToRemove=tf-reader and a 30 s
# wait, then UserIdsToAdd=tf-writer and another), and tf-reader itself is deleted. The
# group's tags change in place (Team changed, Env removed, Owner added).
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

resource "aws_elasticache_user" "writer" {
  user_id       = "tf-writer"
  user_name     = "writer"
  access_string = "on ~* +@all"
  engine        = "REDIS"

  authentication_mode {
    type      = "password"
    passwords = ["keyfleet-terraform-pw-0004"]
  }
}

resource "aws_elasticache_user_group" "this" {
  user_group_id = "tf-group"
  engine        = "REDIS"
  user_ids      = [aws_elasticache_user.default.user_id, aws_elasticache_user.app.user_id]

  tags = {
    Team  = "platform"
    Owner = "keyfleet"
  }

  lifecycle {
    ignore_changes = [user_ids]
  }
}

resource "aws_elasticache_user_group_association" "extra" {
  user_group_id = aws_elasticache_user_group.this.user_group_id
  user_id       = aws_elasticache_user.writer.user_id
}

output "group_arn" {
  value = aws_elasticache_user_group.this.arn
}

output "association_id" {
  value = aws_elasticache_user_group_association.extra.id
}
