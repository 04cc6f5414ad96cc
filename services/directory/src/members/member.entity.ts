import { Column, Entity, PrimaryColumn } from 'typeorm';

export type MemberStatus = 'active' | 'disabled' | 'offboarded';

@Entity('members')
export class MemberEntity {
  @PrimaryColumn({ name: 'corp_id', type: 'uuid' })
  corpId!: string;

  @PrimaryColumn('text')
  userid!: string;

  @Column('text')
  name!: string;

  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  @Column('text')
  status!: MemberStatus;

  @Column('text', { array: true })
  roles!: string[];

  @Column({ name: 'main_department', type: 'integer' })
  mainDepartment!: number;
}
